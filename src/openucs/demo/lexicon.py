"""Real words of the demo texts, per language, most frequent first (Spanish by measured
frequency; the others, whose source lists are alphabetical, short words first, as
short words are the common ones). Taken from the lorem word lists of Faker (MIT licence,
https://github.com/joke2k/faker), cleaned of duplicates and one-letter words."""

from __future__ import annotations

EN = """
I a at PM of do up to if be on TV or he go in ok us it me by Mr my no so we as gun sit now eye
two you top ten per art man Mrs any box its see lay law ask guy low air for can say hot boy too
arm set the pay few eat why key six off bed far lot win hit yes all leg but end one bad bit and
war cut sea get ago fly him try new bag her buy not let out day son red run who act his bar job
tax big use how put age add our oil old she kid gas yet may way car dog nor own cup long role
rise song baby wish data from rich fill drug form able risk book loss item firm hair that rest
road call help side turn food team site sure fear whom list seat wind blue this four hope save
both just feel many fast mean even term high yeah tend card news work sort next idea send line
read have film east miss much task pass thus wife play same star life once give know seek with
ball safe type hand wait bill wall note upon room when free true stay area rock five name walk
they sell sign yard over very test land city word head else join year cold draw door seem soon
hour dark goal cost view take more main beat kind here look only lose hear talk deep open pull
wear hold move some fact best late tree fish lead edge step want sing plan race base tell meet
case girl find show mind part into home good live must week huge skin grow onto will back need
fund keep easy time face west pick near deal rate such page each fine ever past stop town foot
trip then vote body game care make half also less than none poor nice fall drop away your last
push them unit well hard wide down real most what size cell full left rule born bank fire like
raise sound alone least board truth their tough human admit sense skill worry bring argue blood
stuff white table glass phone until ready there still along catch third large enter every visit
right teach paper avoid thank adult month stage enjoy event young while smile where image speak
north black trade total whose heart guess store close short issue music court agree offer point
since early share place trial child cover never green treat exist final state stock above later
again break think mouth money eight allow those occur voice quite light front world crime dream
value chair whole price radio small color shake order major wrong leave peace agent throw hotel
woman first clear thing carry power happy among style party under coach owner after space claim
media great start class these could floor laugh water group which begin might build three learn
study about force often spend watch apply level south night score other maybe sport scene would
seven house fight ahead story reach local cause movie write focus prove range heavy piece plant
drive stand today serve field civil check model staff source senior worker writer arrive minute
happen indeed beyond anyone expect region ground finish itself chance toward attack appear
entire expert behind camera parent father detail police person likely rather church effort
budget within really lawyer almost threat listen either spring matter letter always middle
simply artist better wonder decide system school myself future course modern notice during
nation figure accept affect number debate career degree series friend enough mother agency
reduce sister assume create others window record charge health market moment former return
decade travel reason remain family street weight recent become strong common amount design
garden second single energy action theory growth center answer choice nature should simple
inside doctor speech option method nearly suffer people office though author across impact
dinner social change effect forget before player report follow relate member result factor
policy season memory reveal public summer little couple pretty choose leader around manage
animal certain current despite officer another perhaps foreign present article surface billion
culture citizen prevent example discuss purpose trouble meeting economy subject defense central
hundred because century compare suggest project contain already mission student finally general
pattern popular society concern tonight forward against science several brother account ability
section evening natural soldier picture station address explain million product clearly message
reality usually manager imagine thought service himself program improve benefit receive feeling
support mention reflect quality instead country measure network college husband quickly morning
serious company produce through exactly include whether prepare teacher however involve believe
various partner capital similar require medical provide special between process kitchen realize
outside nothing control federal western develop success history machine protect someone respond
without herself perform cultural evidence hospital identify continue response recently attorney
possible language personal discover election magazine employee security property movement
Congress indicate increase majority anything daughter computer national activity specific
American whatever decision everyone consider actually resource training director campaign
together suddenly interest although Democrat position material yourself southern business
approach consumer research marriage describe industry thousand economic pressure remember
military practice official painting behavior question physical maintain standard analysis
customer politics somebody probably audience building shoulder strategy positive authority
situation statement challenge executive available represent agreement education according
knowledge character religious recognize scientist interview professor beautiful operation
direction difficult condition different president financial political including community
necessary candidate determine establish everybody structure newspaper attention something
treatment sometimes important certainly discussion technology investment democratic collection
difference everything individual throughout production government television especially
commercial experience themselves management Republican particular understand successful
conference generation population performance opportunity participant traditional development
information interesting environment significant institution professional relationship
organization particularly international environmental administration responsibility
"""

DE = """
zu ja an es ab in ob im da um am wo er so tun wie tot Eis las zum See den ins und Oma Fuß weg
hat ein ihn man oft los ihm nie was auf nah mit vom Rad ihr von Tür aus vor Opa ist gar der sie
Uhr uns für bis bei das neu mal dem war Zug her gut nun alt dir rot die wer hin ich zur nur Tag
gab als wir bin kam seit mich sich frei wird Ende aber Zahl groß Brot Papa tief weiß Frau drei
gibt acht viel auch kalt nass zehn ganz Ding fast sehr Jahr Mama warm Bett rund Glas kann laut
dein ging Haus Bein früh ließ über fest Affe nach böse Maus zwei Wort neun Spaß mein weil Auge
Hund Tier bald vier dort Sohn Geld nein Baum Mann weit Berg Kind blau sind dick gern oben spät
kurz Gott Dorf Herr erst Bild denn Arzt fiel Nase müde hoch lieb sein Luft noch Hase Zeit dann
will dich mehr Wald alle jung oder Kopf Ball dazu doch fünf hart gelb Loch Hand dumm beim Name
Erde wenn grün Welt Auto also wohl heiß Herz hier wahr Buch ohne kein voll Meer Land holen daran
Musik krank bauen heute unter Leute baden Licht beide Blume Wiese Hilfe Schuh lange Küche unten
wenig geben sechs Seite Woche durch Vater Pferd stark jetzt Nacht mögen fährt Feuer Monat warum
Onkel Spiel sieht Bauer Stein jeder Glück rufen braun klein etwas Sache halbe gehen sagen Wagen
dafür Tisch Stadt Fisch Sonne legen Tante genau Angst reich Apfel hören Frage Vogel Junge nicht
essen offen ruhig damit nimmt davon Boden haben Katze dabei Brief Platz gegen sehen leise schon
sonst Stück Abend Milch schön Haare darin neben lesen immer unser leben kaufen tragen lassen
letzte wieder besser werfen zeigen dunkel fehlen sofort beißen gleich weiter müssen hinter
leicht danach rennen Straße zurück hängen lernen selbst sieben wissen allein Garten Teller
andere kommen werden Klasse fallen helfen Stunde Wetter stehen Arbeit Schnee früher vorbei
sicher lustig Minute sollen fahren später warten nennen Eltern reiten laufen turnen drehen
fangen dauern sitzen öffnen weinen gerade fertig hinein Schiff wollen setzen Stelle Winter
gesund kennen machen Sommer Mensch wohnen merken Finger heraus kochen darauf Wasser Zimmer
fragen einige Schule Himmel Hunger Freund packen Ferien nichts dürfen können Mutter heißen
Freude finden suchen nehmen führen singen ziehen halten freuen Lehrer Monate schwer Bruder
liegen lachen denken einmal glauben deshalb einigen schauen schlimm draußen Polizei fressen
schnell fliegen Fahrrad Gesicht richtig Schüler Wohnung wichtig Mädchen Zeitung schwarz traurig
steigen langsam stellen Familie Fenster gehören Flasche spielen rechnen Fußball nächste Schluss
waschen bleiben überall Sonntag einfach endlich trinken nämlich treffen gestern bringen möglich
Lehrerin zwischen schenken arbeiten schreien scheinen wirklich klettern schaffen schicken
schlafen fröhlich anfangen springen zusammen schlecht gewinnen brauchen Geschenk Beispiel
erzählen sprechen wünschen schlagen bekommen erklären verkaufen antworten schwimmen verstehen
schreiben vergessen versuchen plötzlich Schwester natürlich glücklich verlieren eigentlich
Geschichte Minutenmir Geburtstag vielleicht gefährlich verstecken erschrecken Weihnachten
"""

FR = """
y à nu du là an on or ci te un ou ni de se me ah il en je et si oh le ne tu eh où au ce ça as
soi bon mon loi dur ici ami sur nez tôt vin mur âme art qui ton par fou vue sûr âge pas pur sou
cou été dès air nul jeu cas bas lit rue est sac six dos feu roi île but cri mal que sec fil mer
mot lui foi fin oui fer dix non son sol vif vie toi vol etc tel eau nom peu car âgé moi rond
abri long rôle aile muet goût pont mois sans rêve jour coin bras soit bien bout près loin aide
coup agir banc acte robe fait soir déjà état même haut lier cent peau sous mais juge tour voie
quoi nous cela prix pain l'un papa vite hors mort seul lire dent port trop loup yeux huit oser
rare côté type fier fête note neuf gris chat ciel fort elle dieu eaux leur tard lors fond côte
idée main tant très rose dame cinq bois arme nord fixe cour voix sang user vrai delà fils mine
beau sien dans pour tout fois tête soin père flot ceci réel plan toit race tuer sein joie lien
part avec doux paix fuir midi demi trou chef lune mien quel égal cher mode bord rien nuit donc
face sens plus page fine vide gros puis prêt deux peur rang dire bête avis bleu clef lieu rire
haïr oeil faux vers hier pays mari gens joli noir chez dont pied vert vous joue être voir faim
vent sept armée règle peser façon assez objet vieil peine armer champ larme somme vêtir plein
vieux perte ligne moins genre verre blanc boire reste table année juste usage cruel geste douze
sable sujet fumée obéir fruit taire ruine grave faire large l'une tombe céder terme voici moyen
haute après femme chant matin entre santé étage roman quand trace alors train garde étude image
aucun enfin payer glace siège genou tirer miser ordre lever homme choix nuage fusil heure toute
salut frais salle ainsi route mener vague noire suite jouer cours court juger mêler doute jeter
point désir tenir place bande avoir vaste frère mille corps votre subir repas avant drôle chose
fleur chaud terre poids fumer froid jaune grand tapis honte lueur front fille crise voilà chair
sourd toile lèvre coeur beaux pitié tâche amour envie chien croix queue masse doigt venir léger
poser sorte poche quart agent ferme jambe seuil vingt corde pièce rouge blond passé fixer petit
oncle cesse notre finir aussi jeune trait lourd libre comme digne éclat tache arbre roche livre
trois carte foule appel vivre temps guère titre mieux créer rayon ville pluie aller lutte selon
effet faute bruit franc mince autre poste force porte forme début aider perdu grâce herbe sueur
odeur prier école calme épais colon rêver saint parti voler crier hôtel forêt droit parmi haine
clair celui cause voile durer signe scène ombre hiver grain folie riche drame chute barbe monde
aimer poète manier source revoir auquel poésie partie étroit pendre réunir mentir certes pensée
demain avance faveur minute palais enfant guerre saluer tracer départ détail croire tantôt
propos sommet lequel tomber ouvert madame unique prêter marché chance monter phrase causer
désert vivant rapide triste dehors auprès parent compte plaine accord police visage lutter
debout absolu agiter soirée classe espèce sombre mesure donner effort mourir oiseau sortir
entrer nombre regard plaire chacun étoile fidèle preuve courir garçon nommer saisir amuser
ancien maison oeuvre autant papier offrir espoir ouvrir briser couche saison visite depuis
trésor hasard énorme servir bouche éviter encore fermer argent cheval étaler course douter
faible avenir nation patron figure placer humide malade cheveu époque flamme entier aspect
claire esprit cercle lettre valoir divers amener bureau durant plutôt pierre couper cesser
maître double serrer prince prison quatre projet dessus tenter soleil contre calmer partir
avouer parler billet retour humain précis moitié épaule soldat charge siècle valeur prière
forcer raison moment former taille chaque défaut brûler rouler membre droite trente livrer
dormir penser paquet sauver gagner animer sentir sauter secret rideau peuple chaîne milieu
accent second rocher vision témoin couler tendre chaise action succès casser besoin battre
malgré entrée combat nature signer métier naître paysan sonner danser simple manger jamais
pauvre espace centre chemin groupe marche savoir garder goutte propre marier facile ennemi
veille porter commun écrire songer coûter social quinze autour voisin colère lisser ventre
erreur chasse plante gloire danger mettre rompre exiger vendre perdre passer suivre élever
pareil verser rendre empire vérité public parole devoir rester pointe beauté jusque voyage
auteur fonder jardin cacher devant animal gauche hésiter certain sentier profond deviner société
article complet mauvais plonger falloir essuyer creuser confier exemple heureux charger absence
horizon appeler essayer vaincre malheur planche prévoir morceau feuille musique voiture anglais
occuper passion menacer mémoire surtout joindre inviter assurer pendant docteur sourire devenir
naturel affaire passage vouloir maladie accuser ignorer achever écarter réalité capable chasser
douleur imposer briller oublier grandir croiser avancer répéter espérer enlever frapper sommeil
habiter déposer étrange écouter arrière instant conseil pencher branche colline science retirer
choisir matière cuisine allumer souvent chanter traîner million écraser figurer famille partout
envoyer parfois demande sauvage secours attirer effacer trouver retenir réponse travail honneur
ramener tromper obtenir réduire fenêtre établir désirer ensuite bonheur engager service dégager
plaisir rejeter pousser endroit inutile nerveux étendue silence dresser dernier liberté étonner
couleur manquer arrivée mariage tourner émotion courant décrire appuyer pouvoir enfance éternel
semaine travers asseoir puisque sérieux éclater rapport moindre exposer premier quelque veiller
pleurer volonté bientôt paysage diriger coucher général visible crainte changer ajouter seconde
réussir présent presque arrêter chiffre mériter portier immense prendre fortune traiter rentrer
révéler étendre environ décider d'abord chambre courage sembler presser médecin baisser marcher
remplir séparer terrain tempête reposer relever toucher content dominer lumière village risquer
abattre reculer justice nouveau chaleur prouver théâtre montrer marquer journée soudain douceur
système énergie suivant cerveau arriver journal terreur combien victime hauteur machine cabinet
suffire couvrir ouvrage respect acheter nourrir exister oreille revenir curieux lorsque violent
voyager chemise qualité intérêt quitter fatigue compter élément glisser emmener inconnu obliger
refuser comment étudier disposer aventure vêtement histoire importer résultat caresser ensemble
jeunesse toujours personne dépasser détacher annoncer raconter pourquoi retomber autorité
discuter attaquer religion possible pénétrer ministre fonction vraiment aussitôt meilleur
officier supposer immobile partager remettre camarade relation seigneur montagne d'autres
renoncer défendre problème chercher habitant violence apporter souffrir habitude discours
inspirer solitude instinct étouffer bataille souvenir endormir ailleurs troubler fatiguer
attendre assister soutenir remonter produire enfermer précieux prochain répandre craindre
terminer proposer désigner plaindre accorder inventer français demander entendre enfoncer
précéder contenir répondre détruire attacher préférer puissant attitude angoisse prévenir
employer accepter adresser beaucoup position regarder éloigner présence quarante conduire
principe respirer trembler préparer nombreux éteindre exprimer échapper posséder paupière
recevoir ramasser déclarer souffler réclamer habiller distance occasion monsieur affirmer
observer escalier déchirer étranger franchir exécuter quartier emporter promener terrible
éprouver composer soulever empêcher examiner résister mensonge résoudre convenir parvenir
conclure question paraître dimanche imaginer marchand poitrine indiquer rassurer dessiner
pourtant réserver profiter derrière françois protéger arracher éclairer fauteuil rappeler
demeurer campagne admettre entourer seulement caractère entraîner plusieurs dangereux situation
davantage prétendre embrasser difficile renverser repousser compagnon maintenir remercier
consentir apparence supérieur curiosité également retrouver véritable accomplir condamner
contenter désormais installer réflexion rencontre existence différent réfléchir reprendre
remarquer permettre souhaiter supporter commander recherche respecter consulter signifier
prononcer doucement lentement puissance président longtemps atteindre remplacer événement
réveiller expliquer regretter quelqu'un semblable inquiéter traverser direction confiance
militaire vieillard descendre sentiment intention politique troisième condition découvrir
lendemain compagnie cinquante soumettre désespoir présenter apprendre poussière tellement
continuer connaître confondre autrement accrocher cependant rapporter promettre rejoindre
contraire retourner commencer attention intérieur autrefois printemps approcher naissance
important parcourir spectacle mouvement appartenir satisfaire absolument discussion envelopper
rencontrer silencieux maintenant simplement entretenir ressembler surveiller travailler
distinguer personnage impossible magnifique professeur souffrance importance changement
apercevoir surprendre expérience interroger secrétaire impression comprendre rapidement
abandonner construire nécessaire expression recueillir considérer apparaître précipiter
conscience révolution inquiétude tranquille poursuivre résistance intéresser appartement
interrompre accompagner représenter disparaître particulier brusquement reconnaître recommencer
aujourd'hui transformer gouvernement parfaitement certainement connaissance conversation
intelligence circonstance profondément commencement complètement naturellement extraordinaire
"""

ES = """
de la que el en y a los se del las un por con no una su para es al lo como más o pero sus le ha
me si sin sobre este ya entre cuando todo esta ser son dos también fue había era muy años hasta
desde está mi porque qué sólo han yo hay vez puede todos así nos ni parte tiene él uno donde
bien tiempo mismo ese ahora cada e vida otro después te otros aunque esa eso hace otra gobierno
tan durante siempre día tanto ella tres sí dijo sido gran país según menos mundo año antes
estado contra sino forma caso nada hacer general estaba poco estos presidente mayor ante unos
les algo hacia casa ellos ayer hecho primera mucho mientras además quien momento millones esto
españa hombre están pues hoy lugar madrid nacional trabajo otras mejor nuevo decir algunos
entonces todas días debe política cómo casi toda tal luego pasado primer medio va estas sea
tenía nunca poder aquí ver veces embargo partido personas grupo cuenta pueden tienen misma nueva
cual fueron mujer frente josé tras cosas fin ciudad he social manera tener sistema será historia
muchos juan tipo cuatro dentro nuestro punto dice ello cualquier noche aún agua parece haber
situación fuera bajo grandes nuestra ejemplo acuerdo habían usted estados hizo nadie países
horas posible tarde ley importante guerra desarrollo proceso realidad sentido lado mí tu cambio
allí mano eran estar san número sociedad unas centro padre gente final relación cuerpo obra
incluso través último madre mis modo problemas cinco carlos hombres información ojos muerte
nombre algunas público mujeres siglo todavía meses mañana esos nosotros hora muchas pueblo
alguna dar problema don da tú derecho verdad maría unidos podría sería junto cabeza aquel luis
cuanto tierra equipo segundo director dicho cierto casos manos nivel podía familia largo partir
falta llegar propio ministro cosa primero seguridad hemos mal trata algún tuvo respecto semana
varios real sé voz paso señor mil quienes proyecto mercado mayoría luz claro iba éste pesetas
orden español buena quiere aquella programa palabras internacional van esas segunda empresa
puesto ahí propia libro igual político persona últimos ellas total creo tengo dios española
condiciones méxico fuerza solo único acción amor policía puerta pesar zona sabe calle interior
tampoco música ningún vista campo buen hubiera saber obras razón ex niños presencia tema dinero
comisión antonio servicio hijo última ciento estoy hablar dio minutos producción camino seis
quién fondo dirección papel demás barcelona idea especial diferentes dado base capital ambos
europa libertad relaciones espacio medios ir actual población empresas estudio salud servicios
haya principio siendo cultura anterior alto media mediante primeros arte paz sector imagen
medida deben datos consejo personal interés julio grupos miembros ninguna existe cara edad etc
movimiento visto llegó puntos actividad bueno uso niño difícil joven futuro aquellos mes pronto
soy hacía nuevos nuestros estaban posibilidad sigue cerca resultados educación atención gonzález
capacidad efecto necesario valor aire investigación siguiente figura central comunidad necesidad
serie organización nuevas calidad economía carácter jefe estamos prensa control sociales
universidad militar cabo diez fuerzas congreso ésta hijos justicia mundial dólares juego
económica políticos duda recursos pública crisis próximo tenemos decisión varias popular tenido
apenas época banco presente menor quiero pasar resultado televisión encuentra gracias ministerio
conjunto defensa alguien queda hacen pasa resto causa seguir allá palabra voy cuya vamos mar
estudios derechos importancia cuales contrario manuel garcía fuerte sol jóvenes apoyo habría
civil miguel pedro partidos libre fuentes administración común dejar cine salir comunicación
experiencia demasiado plan respuesta energía izquierda función principal superior naturaleza
podemos unión especialmente rey domingo favor cantidad elecciones clase productos españoles
conocer teatro importantes evitar color actividades mesa decía cuyo debido alta francisco
secretario objeto quizá posición parecía natural elementos hubo objetivo formas única pueda
origen blanco mismos lleva económico opinión ayuda oficial silencio buenos pensar república
dónde sangre encuentro siquiera autor reunión haciendo suelo muestra viejo encima resulta tomar
bastante siete lucha pudo amigos línea sur pocos medidas norte partes iglesia tratamiento
existencia cargo grande américa boca plaza pie trabajadores poner existen viene permite análisis
argentina acto hechos tiempos políticas radio puedo crecimiento francia compañía amigo
autoridades realizar acciones padres diario ve derecha ambiente i habrá precisamente enfermedad
especie ejército santa cambios río sabía seguro espera momentos viaje quería ocho vivir región
formación escuela cuarto valores quedó participación éxito baja artículo principales fernando
metros marcha régimen consecuencia conocimiento corazón campaña estructura efectos finalmente
modelo carta construcción médico miedo mayores entrada humanos sean actitud deja dejó llevar
negro texto mitad estuvo alrededor acerca peso humano pequeño fecha serán doctor ideas vino
materia llega carrera cierta sola psoe lejos juez características riesgo fácil diferencia
cultural libros práctica mayo nuestras programas memoria llegado plazo expresión diciembre
mantener enero volver cuadro producto produce europea conciencia tenían atrás felipe creación
chile precio película puerto fuego cuestión pasó costa supuesto local habla aspectos cuba sala
cámara vuelta vía mirada mejores informe unidad distintos suerte tales mira llamado técnica
título principios octubre volvió período encontrar democracia aumento fútbol prueba consumo pese
ocasiones exterior solución hija sueño parís capaz ocasión industria adelante salida ciencia
asunto asociación puso intereses oro podrá pregunta oposición entrar señora señaló santiago
dolor zonas comercio operación tribunal instituciones temas militares junio marco sectores
hacerlo aspecto razones contenido juicio electoral considera tendrá mucha voluntad dicen
recuerdo socialista área aparece vio cama aun presenta pp revolución busca abril rodríguez
fiscal lópez victoria violencia primeras pequeña armas debía ii esfuerzo humana posibilidades
centros profesional asimismo grado has toma distintas material carne llama particular jorge
trabajar propuesta muerto precios reforma hermano corte comenzó etapa obstante pone diversos
visita concepto pacientes semanas tipos solamente deseo sistemas encuentran siguientes martín
suficiente marzo propios jamás dan club instituto constitución curso lenguaje estilo rosa
imposible pablo buscar peor piel arriba generales septiembre blanca aquellas teoría animales
hicieron larga perdido imágenes paciente conseguir máximo noviembre líder hospital diversas
rafael vuelve destino torno proyectos flores niveles afirmó explicó somos términos premio
"""

NL = """
nu of ja om zo te in na al de me en af ei we ik op mes wie hut uur zak oom jij nog weg tak per
wij zou aan man zus los map ons kat pas hun bal dak nul bui hal ver god dik oma zes bot dit
zee dan dus arm oor bos bed lip fit lot zij hen dom pad gif hij bij bus bad les een min oud kip
rok sap jas kok hem dat aap hoe het gat lui ook bel één vos opa nat kap vis vet pen wat fel dag
erg wit met vol van oog dun elk nek nee mis uit eis kom als tas zon pan vak kop ijs net mij sok
beer rond lamp trui tien dood zoon zoet punt lang baby stem kaas druk naar zijn vuur mooi klok
woud melk graf kuil echt stil verf vijf rest stof help wild zien paar fout stom vork orde team
hond noot blij lach jong acht vrij tijd list wind mama laat grap eeuw poes smal fijn vlag heel
even boos warm glas glad brug taxi soms voor deel papa jouw knie lijk film dorp kant kast laag
wolf hoed iets voet veel geit maat baan weer eend hert hand zeep daar kost goud zorg ziek lood
wolk over test boek meel land hoop duur gras tand heet spel deze park been tuin vier door ster
bang maag neer kind haan kans wiel ding wens lomp foto geel rijk open huis meer jaar veer keus
doen best dier stad blad toen ring mijn want nood kist slim teen fris thee tram haar huur geen
zuid vaak week boon mand leeg noch ziel oost vorm gaan diep stuk klas wijn slot stap munt werk
bord taal hoog soep naam onze feit ooit fles west plus wijs hoek zeer hart snel mits rots zwak
idee stop leuk zeil raak rood geld rook vals pijn eten koud maal grof half kort mond plat vies
berg zaak maan olie drie goed doos niet neus zout boom vers hier raam hard cool zand vast auto
geur maar roze bank waar koers komen niets licht vader plein sorry sterk nieuw deken brief beide
smaak wapen brood poort fruit hallo bloem paard welke schip halen zomer steun maand reeds vroeg
ijzer lezen langs afval breed derde broek klopt grond falen draad jagen klaar beest thuis vraag
meest nooit privé ouder storm einde kamer lopen avond zacht zwaar noord offer markt moord onder
laken peper vrouw zoals lenen woord blauw hamer koken laten lunch groot kleur leeuw naald zeker
huren klein boete alles negen terug bijna genot nodig angst radio trein vlieg plank kraam sinds
vogel stoel haten boord prijs grens regen hobby vlees krant leren kaars hotel kopen nemen horen
zulke boven wreed tante feest helft naast groep recht maken vloer start vrede broer nobel ander
water appel delen leven begin basis lepel kunst staal links bloed leger lucht mogen taart bodem
kaart titel bruin droog nacht samen geven sport soort rijst grijs plaat tegen traan gemak raken
groen kruis beker tafel haast ieder steen geluk duwen hemel eigen plant teken piano buren hoofd
aarde model zeven beter prins manier zingen koffer liggen gevolg kosten helder keuken altijd
vinden rubber gezond gelijk lijken jullie winnen dansen houden middel kennis straat waarom
moeten huilen bellen reizen eiland overal midden liefde dragen vijand achter meubel dienen
praten koning beetje heuvel afname noemen succes rennen anders minder gebied pagina ladder
vragen willen papier wissen enkele andere hoewel wonder zonder meisje school cirkel meneer
herfst plaats gevaar modern koffie drogen wereld rechts blazen zoeken donker kunnen vriend
object reiken iemand zullen winter schoon bureau bijten vijver gedrag zitten moeder welkom
simpel wakker klasse ruimte stelen laatst missen oorlog oneven aanbod zeggen examen verder
schaap koorts moment eerste kennen kleden spelen geluid kijken tellen kleren dubbel hebben
slapen dromen slecht vreemd zinken gewoon netjes ademen genoeg morgen vinger ruiken cadeau
totaal oranje bouwen deksel leiden gemeen opeens actief alleen nieuws veilig studie vullen
natuur zilver rijzen oceaan scherp bieden wassen zorgen honger zelfde voelen begrip mensen
muziek effect schaar daarom varken lengte jongen tennis vangen vallen hoogte tweede winkel
voeden suiker vouwen buiten aanval breken geloof redden nummer zetten zonnig dapper aardig
sneeuw liegen stilte beroep tussen minuut kracht bezoek lachen kiezen binnen zwemmen gezicht
gerecht kantoor ochtend afmaken kloppen moorden plastic honderd toename wachten beneden branden
mevrouw groeien oorzaak gebruik vandaag pistool zwembad correct vreemde student liniaal dochter
tekenen signaal knippen publiek trekken terwijl trouwen periode betalen snijden ontbijt blijven
station voetbal product klimmen plaatje plafond krijgen normaal extreem mengsel behalve olifant
sleutel draaien verhaal grappig vroeger positie rapport lichaam bewegen beroemd seconde ongeluk
drinken sluiten buurman gewicht hoeveel belofte politie schaduw persoon partner prinses perfect
brengen groente eenheid stoffig vaarwel voedsel miljoen potlood drijven benzine machine vriezen
vechten bewolkt geboren familie spreken opnemen stempel eenzaam kasteel wanneer verkopen
proberen verstand verleden geliefde schetsen bedekken mogelijk probleem medicijn dichtbij
tevreden scheiden schudden vakantie bescherm gebeuren algemeen meerdere moeilijk controle
bedreven bruiloft vierkant oefening schreeuw volgende populair langzaam schouder computer
springen koningin richting antwoord straffen goedkoop vergeten volgorde glimlach gisteren
openlijk geschikt verkeerd telefoon maaltijd vrijheid bevatten schieten vergeven geboorte
schijnen snelheid leerling afspraak aanraken compleet toekomst speciaal verlaten gedragen
iedereen passeren leeftijd conditie afhangen voorzien markeren genieten vannacht tamelijk
verschil repareren verenigen rechtdoor structuur televisie gespannen vergissen voorkomen
afgelopen uitzoeken bijzonder beslissen postzegel versturen veroveren vertellen luisteren
ontdekken buurvrouw resultaat borstelen makkelijk begrijpen bruikbaar verrassen avondeten
verhoging aardappel verdienen onderwerp uitvinden chocolade voorbeeld uitleggen overleden
ontmoeten gebruiken provincie ontvangen brandstof vliegtuig schrijven boerderij vanmorgen
onderzoek verliezen opleiding grootvader verstoppen ziekenhuis herinneren terugkomst gevaarlijk
slaapkamer binnenkort antwoorden werelddeel bedreiging wetenschap veranderen verdrietig
schreeuwen natuurlijk gevangenis ontsnappen activiteit verzamelen vertrekken verwachten
overvallen verjaardag restaurant vertrouwen elektrisch uitnodigen belangrijk instrument
vergelijken verzameling doorzichtig bibliotheek comfortabel gebeurtenis hoeveelheid verwijderen
ontwikkelen presenteren vernietigen voorzichtig enthousiast plattegrond grootmoeder verspreiden
gemakkelijk vriendelijk gereedschap gehoorzamen verandering alsjeblieft gebruikelijk
overeenkomen rekenmachine vergelijking bijvoorbeeld rechtvaardig vergelijkbaar waarschijnlijk
verschrikkelijk
"""

IT = """
e a o là lì né di ci li un in io se sì da ah il lo no si oh mi ne tu eh su ma vi età sud giù ciò
per fra qui uno cui voi lei tuo via don più suo qua zio mio chi tra lui zia già ora non noi con
oro che uso dio riva poco dove dopo cosa anno vero duro mare male loro pane sole vivo cioè lago
buio dito viso giro vino mese lira idea pure muro noto cura film essa modo come arma pena meno
tipo sera ecco oggi vita peso nero bere pace fino lato esso nave sede sala fame capo uomo nord
arte tono caso zona metà anzi casa base puro luna ieri nudo papà roba caro dare fine però solo
cane alto tale ogni dire filo egli fede erba mano voce nome bene luce aria atto sino sopra cuore
croce legge gesto città sotto tardi vista volta prima utile mondo colpa corsa sacro vento resto
aiuto serie crisi ferro grave forma fuori stare molto esame fermo dente ombra donna vasto carne
collo gioia fatto volto parte verde padre pazzo cielo gatto testa abito oltre usare quale dolce
primo certo acqua nulla prova mezzo paese caffè pelle massa pieno bello entro posto gusto costa
luogo forse forte bravo messa valle passo zitto paura punto segno fiore corso udire amare vario
poeta pezzo scala largo sogno lotta treno epoca libro rosso campo fondo scena anche villa gioco
senza gamba punta basso porre pietà stato anima latte grado causa circa lungo fuoco assai madre
morte notte colpo porta spesa amico bocca altro porto carta unico umano buono quasi greco festa
caldo odore fiume forza nuovo conto linea bagno vuoto isola scopo corpo russo mente medio breve
bosco prato terzo onore regno folla amore mamma ricco ponte opera verso metro tanto avere senso
unire sonno ampio gente letto serio piano reale monte tutto tempo animo piede frase tacere
quanto tirare attimo civile girare centro minimo stanza allora felice niente titolo futuro
finire tenere pianta faccia peggio sforzo dunque quindi chiave fianco poiché quadro minore
chiesa frutto durare legare labbro stella parere difesa triste vicino camera estate motivo
fatica fronte calcio magari classe finché dubbio biondo destro godere presso inizio colore
parola badare pranzo sangue povero guerra voglia volare cadere pagina presto appena uguale
salire comodo prezzo domani perciò sicuro misura studio nemico grosso comune tavolo temere
maggio valore piazza creare secolo verità antico scuola marito alcuno ultimo realtà pesare
famoso autore storia merito meglio morire numero dentro venire natura libero spesso ognuno
errore andare valere attesa figura spalla recare almeno avanti occhio pagare mentre dovere
posare latino angolo coloro figlia alzare sedere nobile gruppo quarto simile infine ancora
dolore subito pronto moglie bestia ridere chiaro solito nostro strada essere attore intero
spazio chissà tratto vivere azione limite affare denaro genere adesso capire cucina dietro
vedere freddo fumare eppure favore aprire stanco popolo ferire lingua minuto giorno uscire
stampa poesia ordine romano patria oramai grande figlio visita lavoro foglia potere giugno
bianco morale tavola invece giusto sereno quello facile volere grigio enorme stesso troppo
perché grazie levare oppure fresco grazia questo rapido musica armare trarre sapere vostro
contro notare giallo albero medico estero strano parete specie capace fretta teatro pietra
brutto toccare perfino provare mattino seguire vecchio diretto durante qualità passato insieme
battere davanti restare elevare palazzo inglese leggero insomma preciso estremo gettare coprire
termine neanche fermare nascere normale ragione nazione ricerca cavallo tornare dinanzi maestro
tendere operaio nemmeno rendere collina persona intorno scienza bambino periodo stasera colpire
bisogno maniera tentare privato ricordo partire buttare lettera cattivo milione voltare gridare
mercato istante governo pregare ridurre mandare attorno esempio imporre servire interno giovane
diritto evitare credere formare signore pianura attuale ritorno accanto salvare correre cercare
intanto origine attento bastare ufficio neppure affatto mattina sottile azzurro inverno passare
vincere aiutare vestito guidare trovare padrone inutile stupido sperare partito destino vestire
saltare suonare dormire tedesco leggere tecnico signora riunire rompere storico baciare sguardo
fuggire offrire accordo cantare davvero proprio sorriso spirito ragazza infatti sociale seguito
parlare qualche perdere ragazzo nessuno fiducia libertà vendere contare entrare abitare domanda
sposare pensare portare segreto animale opporre mancare notizia braccio memoria capello giocare
esporre potenza volgere regione addosso fornire massimo sentire bambina piccolo secondo europeo
fondare sorgere terreno energia volontà cortile oggetto piacere civiltà viaggio fortuna cultura
albergo sognare recente aspetto guardia inoltre segnare scusare dottore sorella effetto società
lontano muovere fissare sistema momento mettere peccato diverso materia appunto polizia moderno
soldato riempire svolgere scrivere avvenire limitare piantare speranza avanzare bellezza
togliere bruciare esistere discorso continuo avvocato maggiore problema politico autorità
centrale servizio naturale stazione ambiente mostrare eccetera silenzio spingere campagna
italiano speciale malattia rispetto compagno fratello processo giudizio notevole prossimo
riferire iniziare giornata liberare giardino presente profondo divenire istituto lasciare
soltanto rivelare numeroso articolo indicare lavorare rapporto qualcosa ritenere comporre
guardare sinistro compiere ministro esercito accadere concetto trattare giornale successo
lanciare contatto assoluto migliore passione sembrare semplice qualcuno smettere capitare
domenica invitare ospedale figurare condurre proporre staccare arrivare prendere prodotto
scappare spiegare pubblico scendere famiglia superare chiudere pericolo macchina apparire
principe ciascuno fabbrica distanza generale montagna scoprire ordinare disporre crescere
attività elemento meritare tuttavia produrre chiedere uccidere proposta comprare finestra
medesimo funzione studiare ripetere risposta sviluppo politica mangiare giungere spegnere
francese opinione mestiere piangere riuscire pensiero dividere coraggio cambiare fenomeno
salutare contento presenza assumere scorrere corrente orecchio militare tagliare decidere
indietro imparare ricevere rimanere soffrire ottenere fantasia perfetto impedire immagine
rivedere stagione chiamare comunque dirigere dedicare succedere occorrere personale direttore
occasione ritornare possibile contenere religioso prevedere difficile interesse discutere
risultare questione giustizia elettrico movimento americano preferire intendere superiore
cittadino bisognare resistere cristiano direzione aumentare ascoltare insistere relazione
risultato principio scoppiare accendere parecchio estendere industria scherzare congresso
svegliare riportare scrittore esprimere desiderio contrario compagnia ufficiale cattolico
affermare stabilire rifiutare settimana preparare osservare ricordare nazionale sicurezza
scegliere insegnare dipendere strumento necessità arrestare difendere sorridere provincia
ricchezza veramente ammazzare escludere risolvere assistere avvertire accettare contadino
economico attendere offendere programma commercio rientrare rimettere consiglio possedere
celebrare piuttosto domandare qualunque controllo ritrovare carattere divertire giudicare
aspettare attaccare decisione sbagliare battaglia straniero qualsiasi diventare ammettere
posizione sostenere signorina procedere importare costruire argomento proposito confronto
concedere camminare stringere conoscere rivolgere provocare coscienza soluzione mantenere
difficoltà chilometro automobile assicurare eccellenza pomeriggio pubblicare principale
riprendere certamente rispondere spettacolo annunciare consentire esperienza attenzione
permettere dimostrare cominciare presidente provvedere produzione giovanotto diffondere
conoscenza descrivere affrontare condizione necessario dichiarare richiedere sentimento
immaginare improvviso scomparire tranquillo riguardare intenzione accorgersi segretario
abbastanza raccontare territorio situazione avvicinare innamorare convincere aggiungere
conservare stamattina importanza promettere continuare differenza università incontrare
professore repubblica sacrificio confessare concludere appoggiare trascinare presentare
costituire accogliere finalmente desiderare matrimonio nascondere pericoloso importante
operazione rivoluzione possibilità popolazione sorprendere distinguere commissione raccogliere
allontanare significare industriale appartenere soprattutto costruzione impossibile determinare
espressione raggiungere interessare particolare costringere trasformare addirittura riconoscere
partecipare comprendere organizzare abbandonare personaggio dimenticare ringraziare considerare
preoccupare conseguenza distruggere impressione naturalmente interessante disposizione
attraversare accompagnare atteggiamento rappresentare completamente probabilmente comunicazione
straordinario internazionale caratteristico
"""
